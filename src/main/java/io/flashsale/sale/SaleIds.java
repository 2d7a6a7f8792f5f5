package io.flashsale.sale;

/** Sale ids in paths: anything that is not a positive number is simply not a sale. */
public final class SaleIds {

    private SaleIds() {
    }

    public static long parse(String text) {
        try {
            long id = Long.parseLong(text);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // fall through: not a sale id
        }
        throw SaleService.notFound(text);
    }
}
