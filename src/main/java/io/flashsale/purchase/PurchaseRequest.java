package io.flashsale.purchase;

import io.flashsale.common.ApiException;
import io.flashsale.common.FieldChecks;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.regex.Pattern;

/** Body of POST /api/sales/{saleId}/purchases. */
@RegisterForReflection
public record PurchaseRequest(String userId, Boolean waitlist) {

    /** Ids go into Redis keys and hash fields: keep them to a safe, printable alphabet. */
    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9._:@-]+");

    public String validUserId() {
        return checkUserId(userId);
    }

    /** The userId rule, for every place a buyer id comes in (body or path). */
    public static String checkUserId(String userId) {
        String id = FieldChecks.text("userId", userId, 64);
        if (!USER_ID.matcher(id).matches()) {
            throw ApiException.invalid("userId", "field 'userId' may only contain letters, digits and . _ : @ -");
        }
        return id;
    }

    public boolean wantsWaitlist() {
        return Boolean.TRUE.equals(waitlist);
    }
}
