package io.flashsale;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flashsale.sale.SaleKeys;
import io.flashsale.sale.SlotHash;
import io.flashsale.support.Fixtures;
import io.flashsale.support.TestRedis;
import io.flashsale.support.TestRedis.Node;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Stock buckets on the local Redis Cluster (3 masters, -Predis-cluster): the buckets of one sale
 * land on different masters, so its purchases are served by all of them.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "flashsale.test.redis-cluster", matches = "true")
class StockBucketClusterTests {

    @Inject
    TestRedis cluster;

    @Inject
    RedisDataSource redis;

    @Test
    void theBucketsOfASaleLandOnDifferentMasters() {
        assertEquals(3, cluster.masters().size(), "the local cluster has 3 masters");
        for (long saleId = 1; saleId <= 50; saleId++) {
            SaleKeys keys = new SaleKeys(saleId, 3);
            Set<Integer> ports = new HashSet<>();
            for (int b = 0; b < 3; b++) {
                String key = keys.bucket(b).stock();
                assertEquals(redis.execute("CLUSTER", "KEYSLOT", key).toInteger(),
                        SlotHash.slotOfTag(keys.bucket(b).tag()), "the service computes the cluster's slot");
                ports.add(cluster.masterOf(key).port());
            }
            assertEquals(3, ports.size(), "sale " + saleId + ": one bucket per master");
        }
    }

    @Test
    void oneSalesPurchasesAreServedByEveryMaster() {
        int stock = 30;
        long saleId = StockBucketTests.bucketedSale(stock, 3);
        for (int i = 0; i < stock; i++) {
            Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        }
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(409).body("code", equalTo("SOLD_OUT"));
        SaleKeys keys = new SaleKeys(saleId, 3);
        long total = 0;
        Set<Integer> ports = new HashSet<>();
        for (int b = 0; b < 3; b++) {
            Node master = cluster.masterOf(keys.bucket(b).reservations());
            ports.add(master.port());
            // asked of that master directly: it holds the bucket's 10 reservations itself
            long held = (Long) master.call("HLEN", keys.bucket(b).reservations());
            assertEquals(10, held, "bucket " + b + " on " + master.port());
            assertEquals("0", master.call("GET", keys.bucket(b).stock()));
            total += held;
        }
        assertEquals(stock, total);
        assertEquals(3, ports.size(), "three masters served the sale");
        given().when().get("/api/sales/" + saleId).then().statusCode(200)
                .body("reserved", equalTo(stock)).body("state", equalTo("SOLD_OUT"));
    }
}
