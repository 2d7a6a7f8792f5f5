package io.flashsale.startup;

import io.flashsale.common.OrderIds;
import io.flashsale.common.Role;
import io.flashsale.sale.SaleCatalog;
import io.flashsale.sale.StockReservations;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Start-up step "purchase-path" (api and all roles): the code a purchase runs has run once, so the
 * first buyer after readiness is not the one who pays for loading and linking it (a cold JVM
 * spends hundreds of milliseconds there; the AOT cache takes most of it away, plain JDK 17 not).
 * It runs before the HTTP port opens, so in-process, and writes nothing anywhere:
 * <ul>
 * <li>purchase.lua on a sale that does not exist ({@link #NO_SALE}): the script answers "not
 * primed" and changes nothing (the reactive Redis client, EVALSHA, the script cache);</li>
 * <li>the bearer-token verifier on a token whose RS256 signature no key made: the public key is
 * loaded and a signature checked, and the token is refused (never cached);</li>
 * <li>the sale catalog's database load of that sale (Hibernate, the transaction, the pool).</li>
 * </ul>
 */
@ApplicationScoped
public class PurchasePathWarmUp implements StartupStep {

    /** A sale id no sale has (ids count up from 1). */
    static final long NO_SALE = Long.MAX_VALUE;
    /** Well-formed RS256 JWT with a 256-byte signature that no key made: it always fails verification. */
    static final String UNVERIFIABLE_TOKEN = unverifiableToken();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final StockReservations reservations;
    private final JWTParser tokens;
    private final SaleCatalog catalog;

    public PurchasePathWarmUp(StockReservations reservations, JWTParser tokens, SaleCatalog catalog) {
        this.reservations = reservations;
        this.tokens = tokens;
        this.catalog = catalog;
    }

    @Override
    public String name() {
        return "purchase-path";
    }

    @Override
    public boolean neededBy(Role role) {
        return role.servesApi();
    }

    @Override
    public void run() {
        var reservation = reservations.reserve(NO_SALE, "startup-warm-up", OrderIds.next(), false, 0).await()
                .atMost(TIMEOUT);
        if (reservation.outcome() != StockReservations.Outcome.NOT_PRIMED) {
            throw new IllegalStateException("purchase.lua on a sale that does not exist answered " + reservation.outcome());
        }
        try {
            tokens.parse(UNVERIFIABLE_TOKEN);
            throw new IllegalStateException("a token with a forged signature was accepted");
        } catch (ParseException expected) {
            // verified and refused, as it must be
        }
        Optional<?> sale;
        try {
            sale = catalog.find(NO_SALE).await().atMost(TIMEOUT);
        } catch (RuntimeException notFound) {
            sale = Optional.empty(); // the catalog reports an unknown sale as a failed load
        }
        if (sale.isPresent()) {
            throw new IllegalStateException("sale " + NO_SALE + " exists");
        }
    }

    private static String unverifiableToken() {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String header = url.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = url.encodeToString(("{\"sub\":\"startup-warm-up\",\"groups\":[\"buyer\"],"
                + "\"exp\":4102444800}").getBytes(StandardCharsets.UTF_8));
        byte[] signature = new byte[256];
        for (int i = 0; i < signature.length; i++) {
            signature[i] = (byte) (i * 31 + 7);
        }
        return header + "." + claims + "." + url.encodeToString(signature);
    }
}
