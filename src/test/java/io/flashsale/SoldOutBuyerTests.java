package io.flashsale;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.sale.SaleCatalog;
import io.flashsale.support.Fixtures;
import io.flashsale.support.Orders;
import io.flashsale.support.Waitlists;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * API.md: ALREADY_PURCHASED wins over SOLD_OUT, also after the sell-out, when the crowd's SOLD_OUT
 * answers come from memory (sale/SoldOutBuyers): a buyer whose 201 was lost must learn they hold
 * an order, while the non-buyers are still answered without Redis.
 */
@QuarkusTest
class SoldOutBuyerTests {

    @Inject
    Fixtures fixtures;

    @Inject
    SaleCatalog catalog;

    @Inject
    MeterRegistry meters;

    private double checks(String answer) {
        return meters.counter("flashsale.sale.sold_out_buyer_checks", "answer", answer).count();
    }

    /** Sells the whole stock and waits until this instance knows the sale is sold out. */
    private List<String> sellOut(long saleId, int stock) {
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < stock; i++) {
            String buyer = "sob-" + saleId + "-" + i;
            orders.add(Fixtures.purchase(saleId, buyer).then().statusCode(201).extract().path("orderId"));
        }
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(409).body("code", equalTo("SOLD_OUT"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> catalog.isSoldOut(saleId));
        return orders;
    }

    @Test
    void buyersHearAlreadyPurchasedAfterTheSellOutAndTheCrowdIsAnsweredFromMemory() {
        int stock = 20;
        long saleId = fixtures.activeSale(stock);
        List<String> orders = sellOut(saleId, stock);

        // every real buyer asking again: their order, never SOLD_OUT (this failed before: the local
        // flag answered SOLD_OUT to everyone)
        for (int i = 0; i < stock; i++) {
            Fixtures.purchase(saleId, "sob-" + saleId + "-" + i).then().statusCode(409)
                    .contentType("application/problem+json")
                    .body("code", equalTo("ALREADY_PURCHASED")).body("orderId", equalTo(orders.get(i)));
        }
        // the crowd: SOLD_OUT, and (once the filter is loaded) from memory
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            double before = checks("not_a_buyer");
            Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(409).body("code", equalTo("SOLD_OUT"));
            assertEquals(before + 1, checks("not_a_buyer"), 0.0, "a non-buyer answered from memory");
        });
        double fromMemory = checks("not_a_buyer");
        double maybe = checks("maybe_a_buyer");
        int crowd = 200;
        for (int i = 0; i < crowd; i++) {
            Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(409).body("code", equalTo("SOLD_OUT"));
        }
        double memoryAnswers = checks("not_a_buyer") - fromMemory;
        double falsePositives = checks("maybe_a_buyer") - maybe;
        // the rest went to Redis because the sold-out flag itself expired (500 ms under tests)
        assertTrue(memoryAnswers >= crowd / 2.0, memoryAnswers + " of " + crowd + " answered from memory");
        // 1 % false positives expected: allow a generous 10 %
        assertTrue(falsePositives <= crowd / 10.0, falsePositives + " of " + crowd + " non-buyers sent to Redis");
        assertEquals(0, fixtures.redisStock(saleId));
        fixtures.assertConservation(saleId, stock);
    }

    @Test
    void aBuyerPromotedFromTheWaitlistAfterTheSellOutHearsAlreadyPurchased() {
        long saleId = fixtures.activeSale(1);
        List<String> orders = sellOut(saleId, 1);
        String next = "sob-next-" + saleId;
        Waitlists.join(saleId, next).then().statusCode(202);
        // the filter of buyers is loaded now (without `next`)
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            double before = checks("not_a_buyer");
            Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(409).body("code", equalTo("SOLD_OUT"));
            assertEquals(before + 1, checks("not_a_buyer"), 0.0);
        });

        Orders.cancel(orders.get(0)).then().statusCode(200);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> Waitlists.status(saleId, next)
                .then().statusCode(200).body("status", equalTo("PROMOTED")));
        String promotedOrder = Waitlists.status(saleId, next).then().extract().path("orderId");
        // still sold out (the unit went to the waitlist), yet the promoted buyer learns of their order
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                Fixtures.purchase(saleId, next).then().statusCode(409)
                        .body("code", equalTo("ALREADY_PURCHASED")).body("orderId", equalTo(promotedOrder)));
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(409).body("code", equalTo("SOLD_OUT"));
    }
}
