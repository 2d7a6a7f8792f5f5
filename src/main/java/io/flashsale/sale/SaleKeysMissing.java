package io.flashsale.sale;

/** CDI event: a sale's Redis keys are gone (Redis restarted or flushed); they must be rebuilt from the DB. */
public record SaleKeysMissing(long saleId) {
}
