package io.flashsale.hotkey;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The two pub/sub messages of hot-key detection as plain text (no reflection, a few hundred
 * bytes): an instance's report and an aggregator's hot set. A version tag leads, so a rolling
 * upgrade that changes the format ignores the other version's messages instead of misreading
 * them; a family this build does not know is skipped.
 * <pre>
 * R1|instanceId|sentAtMillis|saleId=purchase:120.5,page:3.0;saleId=...
 * H2|aggregatorId|sequence|sentAtMillis|saleId,rate,instances,peakPurchaseRate,buckets,firstAboveMillis,hotSinceMillis,purchase:120.5/page:3.0;...
 * </pre>
 */
public final class HotKeyMessages {

    private static final String REPORT = "R1";
    private static final String HOT_SET = "H2";

    private HotKeyMessages() {
    }

    public static String encode(InstanceReport report) {
        StringBuilder text = new StringBuilder(64 + 48 * report.sales().size());
        text.append(REPORT).append('|').append(report.instanceId()).append('|').append(report.sentAtMillis()).append('|');
        String separator = "";
        for (SaleRates sale : report.sales()) {
            text.append(separator).append(sale.saleId()).append('=');
            families(text, sale.perFamily(), ',');
            separator = ";";
        }
        return text.toString();
    }

    public static String encode(HotSetMessage message) {
        StringBuilder text = new StringBuilder(64 + 96 * message.sales().size());
        text.append(HOT_SET).append('|').append(message.aggregatorId()).append('|').append(message.sequence())
                .append('|').append(message.sentAtMillis()).append('|');
        String separator = "";
        for (HotSale sale : message.sales()) {
            text.append(separator).append(sale.saleId()).append(',').append(round(sale.ratePerSecond())).append(',')
                    .append(sale.instances()).append(',').append(round(sale.peakPurchaseRate())).append(',')
                    .append(sale.recommendedBuckets()).append(',').append(sale.firstAboveMillis()).append(',')
                    .append(sale.hotSinceMillis()).append(',');
            families(text, sale.perFamily(), '/');
            separator = ";";
        }
        return text.toString();
    }

    /** The report in {@code text}, or null if it is not one (another version, garbage). */
    public static InstanceReport report(String text) {
        String[] parts = header(text, REPORT, 4);
        if (parts == null) {
            return null;
        }
        try {
            List<SaleRates> sales = new ArrayList<>();
            if (!parts[3].isEmpty()) {
                for (String entry : parts[3].split(";")) {
                    int equals = entry.indexOf('=');
                    sales.add(new SaleRates(Long.parseLong(entry.substring(0, equals)),
                            families(entry.substring(equals + 1), ",")));
                }
            }
            return new InstanceReport(parts[1], Long.parseLong(parts[2]), sales);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The hot set in {@code text}, or null if it is not one. */
    public static HotSetMessage hotSet(String text) {
        String[] parts = header(text, HOT_SET, 5);
        if (parts == null) {
            return null;
        }
        try {
            List<HotSale> sales = new ArrayList<>();
            if (!parts[4].isEmpty()) {
                for (String entry : parts[4].split(";")) {
                    String[] f = entry.split(",", 8);
                    sales.add(new HotSale(Long.parseLong(f[0]), Double.parseDouble(f[1]), families(f[7], "/"),
                            Integer.parseInt(f[2]), Double.parseDouble(f[3]), Integer.parseInt(f[4]),
                            Long.parseLong(f[5]), Long.parseLong(f[6])));
                }
            }
            return new HotSetMessage(parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3]), sales);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String[] header(String text, String kind, int fields) {
        if (text == null || !text.startsWith(kind + "|")) {
            return null;
        }
        String[] parts = text.split("\\|", -1);
        return parts.length == fields ? parts : null;
    }

    private static void families(StringBuilder text, Map<KeyFamily, Double> rates, char separator) {
        String between = "";
        for (Map.Entry<KeyFamily, Double> rate : rates.entrySet()) {
            text.append(between).append(rate.getKey().label()).append(':').append(round(rate.getValue()));
            between = String.valueOf(separator);
        }
    }

    private static Map<KeyFamily, Double> families(String text, String separator) {
        Map<KeyFamily, Double> rates = new EnumMap<>(KeyFamily.class);
        if (text.isEmpty()) {
            return rates;
        }
        for (String pair : text.split(separator)) {
            int colon = pair.indexOf(':');
            try {
                rates.put(KeyFamily.ofLabel(pair.substring(0, colon)), Double.parseDouble(pair.substring(colon + 1)));
            } catch (IllegalArgumentException unknownFamily) {
                // a newer build's family: skipped, the others still count
            }
        }
        return rates;
    }

    /** One decimal is plenty for a rate; keeps the messages short. */
    static double round(double rate) {
        return Math.round(rate * 10) / 10.0;
    }
}
