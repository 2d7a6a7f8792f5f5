package io.flashsale.common;

import io.quarkus.redis.datasource.RedisDataSource;

/**
 * The Redis server's clock, in epoch milliseconds: the one clock that stamps reservations
 * (purchase.lua's {@code TIME}), so every age compared with a reservation is read from it too.
 */
public final class RedisClock {

    private RedisClock() {
    }

    public static long nowMs(RedisDataSource redis) {
        var time = redis.execute("TIME");
        return Long.parseLong(time.get(0).toString()) * 1000 + Long.parseLong(time.get(1).toString()) / 1000;
    }
}
