package io.flashsale.sale;

/** CDI event, from Redis pub/sub: a sale's waitlist moved (someone promoted or left). */
public record WaitlistChanged(long saleId) {
}
