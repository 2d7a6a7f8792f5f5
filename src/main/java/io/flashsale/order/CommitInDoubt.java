package io.flashsale.order;

/** The COMMIT was sent but no answer came back: the transaction may or may not have committed. */
class CommitInDoubt extends RuntimeException {

    CommitInDoubt(Throwable cause) {
        super("commit outcome unknown", cause);
    }
}
