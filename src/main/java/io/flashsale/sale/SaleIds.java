package io.flashsale.sale;

/** Sale ids in paths: anything that is not a positive number is simply not a sale. */
public final class SaleIds {

    private SaleIds() {
    }

    /** API.md: a non-numeric id is a client mistake (400); a number that names no sale is 404. */
    public static long parse(String text) {
        if (text == null || !text.matches("-?[0-9]{1,40}")) {
            throw io.flashsale.common.ApiException.invalid("saleId", "the sale id must be a number");
        }
        try {
            long id = Long.parseLong(text);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // beyond a long: no such sale
        }
        throw SaleService.notFound(text);
    }
}
