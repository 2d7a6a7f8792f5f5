package io.flashsale.sale;

import java.nio.charset.StandardCharsets;

/**
 * Redis Cluster's key-to-slot function (CRC16-XMODEM of the hash tag, modulo 16384), so the
 * service can choose hash tags that land on different slots without asking the cluster.
 */
public final class SlotHash {

    public static final int SLOTS = 16_384;

    private SlotHash() {
    }

    /** The slot of every key whose hash tag is {@code tag} ({@code "fs:{" + tag + "}:..."}). */
    public static int slotOfTag(String tag) {
        return crc16(tag.getBytes(StandardCharsets.UTF_8)) & (SLOTS - 1);
    }

    /** CRC16-XMODEM (polynomial 0x1021, initial value 0), the variant Redis Cluster uses. */
    static int crc16(byte[] bytes) {
        int crc = 0;
        for (byte b : bytes) {
            crc ^= (b & 0xff) << 8;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xffff;
        }
        return crc;
    }
}
