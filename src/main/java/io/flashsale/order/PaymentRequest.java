package io.flashsale.order;

import io.flashsale.common.FieldChecks;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Body of POST /api/orders/{orderId}/payment. */
@RegisterForReflection
public record PaymentRequest(String paymentId, Long amountCents) {

    public String validPaymentId() {
        return FieldChecks.text("paymentId", paymentId, 100);
    }

    public long validAmountCents() {
        return FieldChecks.range("amountCents", amountCents, 0, Long.MAX_VALUE);
    }
}
