package io.flashsale.common;

import io.flashsale.purchase.PurchaseRequest;
import io.quarkus.security.identity.SecurityIdentity;
import java.util.Map;

/**
 * Who may act for whom (API.md "Identity and roles"), decided in this one place. Roles come from
 * the token's {@code groups} claim; the buyer is the token's subject ({@code upn} when present).
 * Endpoints declare the roles they accept with {@code @RolesAllowed}; what a role alone cannot
 * decide (is this order, this waitlist entry, the caller's own?) is checked here.
 */
public final class Access {

    public static final String BUYER = "buyer";
    public static final String OPERATOR = "operator";
    public static final String PAYMENTS = "payments";
    /** Path alias for the caller's own user id. */
    public static final String ME = "me";

    private Access() {
    }

    /** The caller's buyer id; a subject that cannot be a buyer id (Redis-safe alphabet) is refused. */
    public static String buyer(SecurityIdentity caller) {
        String subject = caller.getPrincipal().getName();
        try {
            return PurchaseRequest.checkUserId(subject);
        } catch (ApiException e) {
            throw forbidden("the token's subject is not a usable buyer id");
        }
    }

    public static boolean isOperator(SecurityIdentity caller) {
        return caller.hasRole(OPERATOR);
    }

    /**
     * Resolves a path {@code {userId}}: {@code me} is the caller; anything else must be the caller
     * too, unless the caller is an operator (who acts on behalf of buyers).
     */
    public static String userInPath(SecurityIdentity caller, String userId) {
        if (ME.equals(userId)) {
            return buyer(caller);
        }
        String id = PurchaseRequest.checkUserId(userId);
        if (!isOperator(caller) && !id.equals(caller.getPrincipal().getName())) {
            throw forbidden("a buyer may only act on their own " + "entries");
        }
        return id;
    }

    /** A resource owned by {@code ownerId} (an order): its owner or an operator. */
    public static void requireOwnerOrOperator(SecurityIdentity caller, String ownerId) {
        if (!isOperator(caller) && !ownerId.equals(caller.getPrincipal().getName())) {
            throw forbidden("this order belongs to another buyer");
        }
    }

    /** A {@code userId} field in a body, if sent, must be the caller. */
    public static void requireSelf(SecurityIdentity caller, String claimedUserId) {
        if (claimedUserId != null && !claimedUserId.equals(caller.getPrincipal().getName())) {
            throw forbidden("field 'userId' must be the caller (or be left out)");
        }
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(403, "FORBIDDEN", detail, Map.of());
    }
}
