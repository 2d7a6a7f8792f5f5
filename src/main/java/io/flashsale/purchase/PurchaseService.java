package io.flashsale.purchase;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flashsale.common.ApiException;
import io.flashsale.common.BackingStoreFailure;
import io.flashsale.common.OrderIds;
import io.flashsale.common.Problem;
import io.flashsale.order.NewOrder;
import io.flashsale.order.OrderBatchWriter;
import io.flashsale.order.UnitRelease;
import io.flashsale.order.OrderFenced;
import io.flashsale.order.OrderOutcomeUnknown;
import io.flashsale.order.OrderQueueFull;
import io.flashsale.order.OrderView;
import io.flashsale.order.PaymentConfig;
import io.flashsale.sale.SaleKeys;
import io.flashsale.sale.SaleKeysMissing;
import io.flashsale.waitlist.WaitlistConfig;
import jakarta.enterprise.event.Event;
import io.flashsale.sale.StockReservations;
import io.flashsale.sale.StockReservations.Outcome;
import io.flashsale.sale.StockReservations.Reservation;
import io.flashsale.sale.SaleCatalog;
import io.flashsale.sale.SaleService;
import io.flashsale.sale.SaleSnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.jboss.logging.Logger;

/**
 * The purchase path of ARCHITECTURE.md: local checks (no network), one Lua script in Redis,
 * then the micro-batched durable write. Everything is asynchronous: no thread waits on Redis
 * or the database. A buyer gets 201 only once the order row is committed; if the write fails
 * the Redis reservation is released before answering 503.
 */
@ApplicationScoped
public class PurchaseService {

    private static final Logger LOG = Logger.getLogger(PurchaseService.class);
    private static final int MAX_ID_ATTEMPTS = 3;
    /** Polls of a held order still being written: 50 ms apart, so beyond the 5 s orphan-after default. */
    private static final int HELD_ORDER_POLLS = 120;

    private final SaleCatalog catalog;
    private final StockReservations reservations;
    private final OrderBatchWriter writer;
    private final IdempotencyStore idempotency;
    private final PurchaseConfig config;
    private final Clock clock;
    private final ObjectMapper json;
    private final Semaphore admission;
    /** Hot-path caches: one counter per answer status, one rendering per constant refusal. */
    private final Map<Integer, Counter> outcomes = new ConcurrentHashMap<>();
    private final Map<String, PurchaseAnswer> refusals = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private final PaymentConfig timers;
    private final WaitlistConfig waitlists;
    private final Event<SaleKeysMissing> rebuilds;
    private final UnitRelease unitRelease;
    private final HeldOrderCheck heldOrders;
    private final AttemptLimiter limiter;
    private final PurchaseActivity activity;

    public PurchaseService(SaleCatalog catalog, StockReservations reservations, OrderBatchWriter writer,
            IdempotencyStore idempotency, PurchaseConfig config, Clock clock, ObjectMapper json,
            MeterRegistry meters, PaymentConfig timers, WaitlistConfig waitlists, Event<SaleKeysMissing> rebuilds,
            UnitRelease unitRelease, HeldOrderCheck heldOrders, AttemptLimiter limiter, PurchaseActivity activity) {
        this.catalog = catalog;
        this.reservations = reservations;
        this.writer = writer;
        this.idempotency = idempotency;
        this.config = config;
        this.clock = clock;
        this.json = json;
        this.meters = meters;
        this.timers = timers;
        this.waitlists = waitlists;
        this.rebuilds = rebuilds;
        this.unitRelease = unitRelease;
        this.heldOrders = heldOrders;
        this.limiter = limiter;
        this.activity = activity;
        this.admission = new Semaphore(config.maxInFlight());
    }

    public Uni<PurchaseAnswer> purchase(long saleId, String userId, boolean waitlist, String idempotencyKey,
            String clientAddress) {
        long started = System.nanoTime();
        if (idempotencyKey == null) {
            PurchaseAnswer local = answeredLocally(saleId, userId, waitlist, started);
            if (local != null) {
                return Uni.createFrom().item(local);
            }
        }
        if (!limiter.allow(userId, clientAddress)) {
            // before Redis is asked, and before an Idempotency-Key is stored: retries count too
            PurchaseAnswer limited = render(new ApiException(429, "RATE_LIMITED",
                    "too many purchase attempts from this buyer or address, retry shortly"));
            count(saleId, limited, started);
            return Uni.createFrom().item(limited);
        }
        if (idempotencyKey == null) {
            return purchaseRendered(saleId, userId, waitlist, started);
        }
        // an unknown sale (or one the catalog cannot load now) claims under {sale:ID}: the answer is the same
        return catalog.find(saleId).map(sale -> sale.map(SaleSnapshot::keys).orElseGet(() -> new SaleKeys(saleId)))
                .onFailure().recoverWithItem(() -> new SaleKeys(saleId))
                .flatMap(keys -> idempotency.once(keys, userId, idempotencyKey,
                        () -> purchaseRendered(saleId, userId, waitlist, started)))
                .onFailure(e -> !(e instanceof ApiException)).transform(PurchaseService::unavailable)
                .onFailure(ApiException.class).recoverWithItem(e -> render((ApiException) e));
    }

    /**
     * One purchase whose every outcome, refusals and store failures included, ends as a rendered,
     * counted answer (so an Idempotency-Key can replay it).
     */
    private Uni<PurchaseAnswer> purchaseRendered(long saleId, String userId, boolean waitlist, long started) {
        return admitAndReserve(saleId, userId, waitlist)
                .onFailure(e -> !(e instanceof ApiException)).transform(PurchaseService::unavailable)
                .onFailure(ApiException.class).recoverWithItem(e -> render((ApiException) e))
                .invoke(answer -> count(saleId, answer, started));
    }

    /**
     * The crowd's most common answers (sold out, not started, ended) straight from this instance's
     * memory, without a reactive pipeline; null when the sale is not cached or may be buyable.
     */
    private PurchaseAnswer answeredLocally(long saleId, String userId, boolean waitlist, long started) {
        SaleSnapshot sale = catalog.cachedNow(saleId).orElse(null);
        if (sale == null) {
            return null;
        }
        ApiException refusal = localRefusal(sale, userId, waitlist);
        if (refusal == null) {
            return null;
        }
        PurchaseAnswer answer = render(refusal);
        count(saleId, answer, started);
        return answer;
    }

    private ApiException localRefusal(SaleSnapshot sale, String userId, boolean waitlist) {
        Instant now = clock.instant();
        if (sale.notStartedAt(now)) {
            return notStarted();
        }
        if (sale.endedAt(now)) {
            return ended();
        }
        if (!waitlist && catalog.isSoldOutFor(sale, userId)) {
            // Known sold out on this instance, and this caller bought nothing: answered from memory,
            // Redis is not asked. A possible buyer goes to Redis: ALREADY_PURCHASED wins over SOLD_OUT.
            return soldOut();
        }
        return null;
    }

    /** Every fresh answer (replays of an Idempotency-Key are not counted again). */
    private void count(long saleId, PurchaseAnswer answer, long started) {
        outcomes.computeIfAbsent(answer.status(), status -> meters.counter(
                "flashsale.purchases", "status", Integer.toString(status))).increment();
        activity.record(saleId, answer, System.nanoTime() - started);
    }

    /**
     * Finds the sale, refuses what this instance can refuse alone, takes an in-flight slot, then
     * reserves in Redis and persists the order.
     */
    private Uni<PurchaseAnswer> admitAndReserve(long saleId, String userId, boolean waitlist) {
        return catalog.find(saleId).flatMap(found -> {
            SaleSnapshot sale = found.orElseThrow(() -> SaleService.notFound(saleId));
            ApiException refusal = localRefusal(sale, userId, waitlist);
            if (refusal != null) {
                throw refusal;
            }
            if (!admission.tryAcquire()) {
                throw rateLimited();
            }
            // the slot is held until the work really ends, even if the buyer hung up before
            return detached(reserveAndPersist(sale, userId, waitlist).onTermination().invoke(admission::release));
        });
    }

    /**
     * Once the Lua script may have reserved a unit, the purchase must run to its end (order
     * committed, or reservation released) even if the buyer hangs up: the HTTP layer cancels a
     * request's Uni when the client disconnects, and a cancelled pipeline would leave the unit
     * reserved with no order. The work is therefore subscribed on its own; the client merely
     * waits for its outcome.
     */
    private static <T> Uni<T> detached(Uni<T> work) {
        return Uni.createFrom().emitter(emitter -> work.subscribe().with(emitter::complete, emitter::fail));
    }

    private Uni<PurchaseAnswer> reserveAndPersist(SaleSnapshot sale, String userId, boolean waitlist) {
        return reserve(sale, userId, waitlist, 1);
    }

    /** An id another process also minted (or one voided earlier) is refused by the Lua: mint another. */
    private Uni<PurchaseAnswer> reserve(SaleSnapshot sale, String userId, boolean waitlist, int attempt) {
        long orderId = OrderIds.next();
        return reservations.reserve(sale, userId, orderId, waitlist, waitlists.maxLength())
                .ifNoItem().after(config.redisTimeout()).fail()
                .onFailure(e -> !neverSent(e)).recoverWithUni(e -> settleLostReply(sale, userId, orderId, e))
                .flatMap(r -> r.outcome() == Outcome.ORDER_ID_TAKEN && attempt < MAX_ID_ATTEMPTS
                        ? reserve(sale, userId, waitlist, attempt + 1)
                        : onReservation(sale, userId, waitlist, orderId, r, attempt));
    }

    /**
     * The script was sent but its reply never came (timeout, connection lost): it may have
     * reserved a unit. The reservation is looked up by order id, voiding the id if absent, so the
     * buyer is told the truth either way. Repeated until Redis answers or the deadline passes.
     */
    private Uni<Reservation> settleLostReply(SaleSnapshot sale, String userId, long orderId, Throwable lost) {
        LOG.warnf("purchase.lua reply for order %d in sale %d lost (%s); looking the reservation up", orderId,
                sale.id(), lost.toString());
        return reservations.resolve(sale, userId, orderId)
                .ifNoItem().after(config.redisTimeout()).fail()
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .expireIn(config.resolveDeadline().toMillis())
                .onFailure().transform(e -> new ReservationUnknown(e))
                .flatMap(resolution -> resolution.reserved()
                        ? Uni.createFrom().item(Reservation.reserved(resolution.generation(),
                                resolution.replicated(), resolution.bucket()))
                        : Uni.createFrom().failure(lost));
    }

    /** A connection that was never established cannot have run the script: no doubt to settle. */
    private static boolean neverSent(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    private Uni<PurchaseAnswer> onReservation(SaleSnapshot sale, String userId, boolean waitlist, long orderId,
            Reservation r, int attempt) {
        return switch (r.outcome()) {
            case RESERVED -> r.replicated() ? persist(sale, userId, orderId, r.generation(), r.bucket())
                    : unreplicated(sale, orderId, r.bucket());
            case NOT_STARTED -> Uni.createFrom().failure(notStarted());
            case ENDED -> Uni.createFrom().failure(ended());
            case ALREADY_PURCHASED -> alreadyPurchased(sale, userId, waitlist, r.existingOrderId(), attempt);
            case SOLD_OUT -> {
                catalog.markSoldOut(sale.id());
                yield Uni.createFrom().failure(soldOut());
            }
            case WAITLISTED -> {
                catalog.markSoldOut(sale.id());
                yield Uni.createFrom().item(PurchaseAnswer.json(202, write(Map.of("status", "WAITLISTED",
                        "saleId", sale.id(), "userId", userId,
                        "position", r.waitlistPosition(), "length", r.waitlistLength()))));
            }
            case WAITLIST_FULL -> Uni.createFrom().failure(new ApiException(409, "WAITLIST_FULL",
                    "the sale is sold out and its waitlist is full"));
            case NOT_PRIMED -> {
                // fireAsync: @ObservesAsync observers only hear asynchronous events; the rebuild
                // starts now, on a worker thread, and is fenced against writes in flight
                rebuilds.fireAsync(new SaleKeysMissing(sale.id()));
                yield Uni.createFrom().failure(ApiException.unavailable(
                        "the sale's live stock is being restored, try again shortly"));
            }
            case ORDER_ID_TAKEN -> Uni.createFrom().failure(new IllegalStateException(
                    "no fresh order id after " + MAX_ID_ATTEMPTS + " attempts"));
        };
    }

    /**
     * The buyer already holds a reservation: tell them its order id only once that order is known
     * to exist ({@link HeldOrderCheck}); an orphan left by a dead process is fenced and freed, and
     * this purchase is tried once more.
     */
    private Uni<PurchaseAnswer> alreadyPurchased(SaleSnapshot sale, String userId, boolean waitlist, long heldOrderId,
            int attempt) {
        return Uni.createFrom().item(() -> {
                    try {
                        return heldOrders.check(sale.id(), userId, heldOrderId);
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .runSubscriptionOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool())
                // a write in flight (a double click) lands within milliseconds: wait for the truth
                .repeat().withDelay(Duration.ofMillis(50))
                .whilst(verdict -> verdict == HeldOrderCheck.Verdict.BEING_CONFIRMED)
                .select().first(HELD_ORDER_POLLS).collect().last()
                .flatMap(verdict -> switch (verdict) {
                    case EXISTS -> Uni.createFrom().failure(new ApiException(409, "ALREADY_PURCHASED",
                            "this buyer already holds an active order for this sale",
                            Map.of("orderId", OrderIds.format(heldOrderId))));
                    case BEING_CONFIRMED -> Uni.createFrom().failure(ApiException.unavailable(
                            "your earlier purchase of this sale is still being confirmed; retry in a few seconds"));
                    case FREED -> attempt < MAX_ID_ATTEMPTS
                            ? reserve(sale, userId, waitlist, attempt + 1)
                            : Uni.createFrom().failure(ApiException.unavailable("try again"));
                });
    }

    private Uni<PurchaseAnswer> persist(SaleSnapshot sale, String userId, long orderId, long generation,
            int bucket) {
        // the database keeps microseconds: answer with exactly what a later read returns
        Instant createdAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
        NewOrder order = NewOrder.of(orderId, sale.id(), userId, sale.priceCents(), createdAt,
                sale.paymentTimeout(), timers, false, generation, bucket);
        return Uni.createFrom().completionStage(() -> writer.submit(order))
                .map(committed -> PurchaseAnswer.json(201, write(OrderView.pending(order))))
                .onFailure(e -> !(e instanceof OrderOutcomeUnknown)).call(failure -> compensate(sale, order))
                .onFailure(OrderQueueFull.class).transform(e -> rateLimited());
    }

    /**
     * No Redis replica acknowledged the reservation in time (replica down or lagging): a failover
     * now could lose it and sell the unit again, so it is given back (as a failed write's unit
     * would be) and the buyer hears 503 with nothing held.
     */
    private Uni<PurchaseAnswer> unreplicated(SaleSnapshot sale, long orderId, int bucket) {
        LOG.warnf("reservation of order %d in sale %d not acknowledged by a Redis replica; giving it back",
                orderId, sale.id());
        return unitRelease.releaseAsync(sale, orderId, bucket)
                .onFailure().invoke(e -> LOG.errorf(
                        "could not release unreplicated reservation of order %d in sale %d (%s); the reconciler will",
                        orderId, sale.id(), e.toString()))
                .onFailure().recoverWithNull()
                .replaceWith(Uni.createFrom().<PurchaseAnswer>failure(ApiException.unavailable(
                        "the sale's Redis shard has no replica in sync; nothing was reserved, try again")));
    }

    /**
     * The order did not become durable: the unit goes where expiry would send it (waitlist head
     * first, else open sale), so conservation holds. Gated by the reservation entry: if the
     * reconciler or a rebuild already settled it, this does nothing.
     */
    private Uni<Void> compensate(SaleSnapshot sale, NewOrder order) {
        return unitRelease.releaseAsync(sale, order.id(), order.stockBucket())
                .onFailure().invoke(e -> LOG.errorf(
                        "could not release reservation of order %d in sale %d (%s); the reconciler will",
                        order.id(), order.saleId(), e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private PurchaseAnswer render(ApiException e) {
        if (e.extras().isEmpty()) {
            // refusals like SOLD_OUT are the same bytes every time: render each once
            return refusals.computeIfAbsent(e.code() + ':' + e.getMessage(), key -> renderNow(e));
        }
        return renderNow(e);
    }

    private PurchaseAnswer renderNow(ApiException e) {
        return PurchaseAnswer.problem(e, write(Problem.body(e.status(), e.code(), e.getMessage(), e.extras())));
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Throwable unavailable(Throwable e) {
        if (e instanceof ReservationUnknown || e instanceof OrderOutcomeUnknown) {
            // the one 503 that cannot promise "nothing held": say so, and how it ends
            return new ApiException(503, "UNAVAILABLE", "a backing store stopped answering before the outcome"
                    + " was known; if a unit was reserved for you it becomes your order or is released"
                    + " automatically: retry, a retry answers with your order if you have one");
        }
        if (!BackingStoreFailure.isCause(e) && !(e instanceof io.smallrye.mutiny.TimeoutException)
                && !(e instanceof OrderFenced)) {
            LOG.error("unexpected purchase failure", e);
        }
        return ApiException.unavailable("a backing store is unavailable; nothing was reserved, try again");
    }

    private static ApiException notStarted() {
        return new ApiException(403, "SALE_NOT_STARTED", "the sale has not started yet");
    }

    private static ApiException ended() {
        return new ApiException(410, "SALE_ENDED", "the sale has ended");
    }

    private static ApiException soldOut() {
        return new ApiException(409, "SOLD_OUT", "the sale is sold out");
    }

    private static ApiException rateLimited() {
        return new ApiException(429, "RATE_LIMITED", "too many purchases in flight, retry shortly");
    }
}
