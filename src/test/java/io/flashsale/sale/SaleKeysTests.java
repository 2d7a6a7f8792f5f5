package io.flashsale.sale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The bucket hash tags: Redis Cluster's slot function, and tags that spread (pure logic, no stores). */
class SaleKeysTests {

    @Test
    void slotFunctionIsRedisClusters() {
        // the CRC16-XMODEM check value, and slots CLUSTER KEYSLOT gives for these tags
        assertEquals(0x31C3, SlotHash.crc16("123456789".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(4774, SlotHash.slotOfTag("sale:1"));
        assertEquals(12182, SlotHash.slotOfTag("foo")); // redis-cli CLUSTER KEYSLOT foo
    }

    @Test
    void oneBucketKeepsTheKeysOfOld() {
        SaleKeys keys = new SaleKeys(42);
        assertEquals("fs:{sale:42}:stock", keys.stock());
        assertEquals("fs:{sale:42}:stock", keys.bucket(0).stock());
        assertEquals("fs:{sale:42}:waitlist", keys.waitlist());
        assertEquals(0, keys.home("anyone"));
    }

    @Test
    void bucketTagsFallInTheMiddleOfTheirShareOfTheSlots() {
        for (int buckets = 2; buckets <= SaleKeys.MAX_BUCKETS; buckets++) {
            double width = SlotHash.SLOTS / (double) buckets;
            for (long saleId = 1; saleId <= 200; saleId++) {
                SaleKeys keys = new SaleKeys(saleId, buckets);
                Set<String> tags = new HashSet<>();
                for (int b = 0; b < buckets; b++) {
                    String tag = keys.bucket(b).tag();
                    assertTrue(tags.add(tag), "distinct tags");
                    int slot = SlotHash.slotOfTag(tag);
                    // inside the b-th N-th of the slots, away from its edges: on N masters owning
                    // equal ranges (redis-cli --cluster create), one bucket per master
                    assertTrue(slot >= width * b + width / 4 - 1 && slot <= width * (b + 1) - width / 4 + 1,
                            "sale " + saleId + " bucket " + b + "/" + buckets + " slot " + slot);
                    assertEquals(keys.bucket(b).stock(), new SaleKeys(saleId, buckets).bucket(b).stock(),
                            "deterministic");
                }
            }
        }
    }

    @Test
    void homeBucketsSpreadBuyers() {
        int[] homes = new int[3];
        for (int i = 0; i < 3000; i++) {
            homes[SaleKeys.homeOf("buyer-" + i, 3)]++;
        }
        for (int count : homes) {
            assertTrue(count > 850 && count < 1150, "roughly a third each: " + java.util.Arrays.toString(homes));
        }
    }
}
