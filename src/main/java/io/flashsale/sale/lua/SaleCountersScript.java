package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.util.List;

/** The Java side of {@code sale_counters.lua}: one bucket's live figures, read in one round trip. */
public final class SaleCountersScript {

    private static final LuaScript SCRIPT = LuaScript.load("sale_counters");

    private SaleCountersScript() {
    }

    /** The reply, by name; {@code primed} false when Redis does not hold the bucket (figures unknown). */
    public record Result(boolean primed, long available, long reserved, long paid, long waitlistLength) {

        static Result of(Response reply) {
            return new Result(reply.get(0).toInteger() == 1, reply.get(1).toLong(), reply.get(2).toLong(),
                    reply.get(3).toLong(), reply.get(4).toLong());
        }
    }

    /** KEYS from {@link SaleKeys.Bucket#counterKeys()}; no ARGV. */
    public static Uni<Result> run(ReactiveRedisDataSource redis, SaleKeys.Bucket bucket) {
        return SCRIPT.run(redis, bucket.counterKeys(), List.of()).map(Result::of);
    }
}
