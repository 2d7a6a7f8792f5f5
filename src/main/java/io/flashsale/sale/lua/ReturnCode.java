package io.flashsale.sale.lua;

/**
 * A script's return code: the integer in the first slot of its reply. Each script class has an
 * enum of these, named and valued exactly as the script's header lists them.
 */
public interface ReturnCode {

    int value();

    /** The code with this value (pass {@code Code.values()}); a value the enum lacks is a contract break. */
    static <E extends ReturnCode> E of(E[] codes, long value, String script) {
        for (E code : codes) {
            if (code.value() == value) {
                return code;
            }
        }
        throw new IllegalStateException(script + ".lua returned unknown code " + value);
    }
}
