package io.flashsale.purchase;

import io.flashsale.common.ApiException;
import io.flashsale.common.ApiLimitsConfig;
import io.flashsale.sale.SaleKeys;
import io.flashsale.sale.lua.ClaimIdempotencyKeyScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Replays the first answer to an Idempotency-Key (scoped to sale and user). The key is claimed
 * with SET NX before the purchase runs, so two concurrent requests with the same key cannot both
 * buy: the second waits briefly for the first answer. Only final answers are kept (for
 * {@code idempotency-ttl}); after a transient failure (429, 503) the claim is dropped so a retry
 * really retries. The claim itself lives only {@code idempotency-lease}: a process that dies
 * mid-request blocks its key for that long, not for a day. Storing the answer is best effort: if
 * Redis fails then, the buyer still gets the real answer (a 201 stays a 201). Keys are counted
 * against the buyer: at most {@code flashsale.api.idempotency-keys-per-buyer} distinct keys per
 * sale, so no buyer can fill Redis with day-long answers (claim_idempotency_key.lua).
 */
@ApplicationScoped
public class IdempotencyStore {

    private static final Logger LOG = Logger.getLogger(IdempotencyStore.class);
    static final String IN_PROGRESS = "IN_PROGRESS";
    private static final Duration POLL = Duration.ofMillis(20);


    private final ReactiveRedisDataSource redis;
    private final PurchaseConfig config;
    private final ApiLimitsConfig limits;

    public IdempotencyStore(ReactiveRedisDataSource redis, PurchaseConfig config, ApiLimitsConfig limits) {
        this.redis = redis;
        this.config = config;
        this.limits = limits;
    }

    /** A one-bucket sale's claim (every key under {sale:ID}). */
    public Uni<PurchaseAnswer> once(long saleId, String userId, String idempotencyKey,
            Supplier<Uni<PurchaseAnswer>> action) {
        return once(new SaleKeys(saleId), userId, idempotencyKey, action);
    }

    /** {@code keys}: the sale's keys with its bucket count (the claim lives in the buyer's home bucket). */
    public Uni<PurchaseAnswer> once(SaleKeys keys, String userId, String idempotencyKey,
            Supplier<Uni<PurchaseAnswer>> action) {
        String key = keys.idempotency(userId, idempotencyKey);
        return ClaimIdempotencyKeyScript.run(redis, keys, userId, new ClaimIdempotencyKeyScript.Args(idempotencyKey,
                        config.idempotencyLease().toMillis(), limits.idempotencyKeysPerBuyer(),
                        config.idempotencyTtl().toMillis()))
                .flatMap(claim -> switch (claim.code()) {
                    case CLAIMED -> action.get().call(answer -> remember(key, answer));
                    case CLAIMED_BEFORE -> awaitFirstAnswer(key, claim.stored(),
                            System.nanoTime() + config.idempotencyWait().toNanos());
                    case TOO_MANY_KEYS -> Uni.createFrom().failure(new ApiException(429, "RATE_LIMITED",
                            "this buyer already used " + limits.idempotencyKeysPerBuyer()
                                    + " Idempotency-Keys for this sale; retry with one of them"));
                });
    }

    /** Keeps a final answer for replay, or drops the claim after a transient one; never fails. */
    private Uni<Void> remember(String key, PurchaseAnswer answer) {
        Uni<?> step = answer.replayable()
                ? redis.value(String.class).set(key, answer.serialize(), new SetArgs().xx().px(config.idempotencyTtl()))
                : redis.key().del(key);
        return step.replaceWithVoid().ifNoItem().after(config.redisTimeout()).fail().onFailure().recoverWithUni(e -> {
            LOG.warnf("Idempotency-Key answer not stored (%s); the claim expires after %s", e.toString(),
                    config.idempotencyLease());
            return Uni.createFrom().voidItem();
        });
    }

    private Uni<PurchaseAnswer> awaitFirstAnswer(String key, String stored, long deadline) {
        if (!IN_PROGRESS.equals(stored)) {
            return Uni.createFrom().item(PurchaseAnswer.deserialize(stored));
        }
        if (System.nanoTime() > deadline) {
            return Uni.createFrom().failure(io.flashsale.common.ApiException.unavailable(
                    "a request with the same Idempotency-Key is still in progress, try again"));
        }
        return Uni.createFrom().nullItem().onItem().delayIt().by(POLL)
                .flatMap(ignored -> redis.value(String.class).get(key))
                .flatMap(next -> next == null
                        // the first request failed transiently and dropped its claim: tell the client to retry
                        ? Uni.createFrom().failure(io.flashsale.common.ApiException.unavailable(
                                "the first request with this Idempotency-Key failed, try again"))
                        : awaitFirstAnswer(key, next, deadline));
    }
}
