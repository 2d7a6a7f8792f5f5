/**
 * The Lua &lt;-&gt; Java contract: one class per script of {@code src/main/lua}, its only Java mirror.
 * Each class holds the loaded script, an {@code Args} record that renders ARGV in the script's
 * order, a {@code Code} enum ({@link io.flashsale.sale.lua.ReturnCode}) valued exactly as the
 * script's return codes, a {@code Result} record naming what follows the code, and a static
 * {@code run} that takes its KEYS from {@link io.flashsale.sale.SaleKeys} only. The reservation
 * value {@code userId|reservedAtMs} is {@link io.flashsale.sale.ReservationEntry} on this side.
 *
 * <p>A new script needs: (1) {@code src/main/lua/NAME.lua} with the KEYS / ARGV / Returns header
 * and a "Java side:" line naming its class; (2) a {@code KEYS of NAME.lua} method on SaleKeys (or
 * SaleKeys.Bucket) listing the keys in the header's order; (3) {@code NameScript} here, shaped as
 * the others; (4) in {@code LuaContractTests}, a test reaching every code on the real Redis and a
 * line in {@code eachScriptReturnsExactlyTheCodesItsEnumNames}. Callers map {@code Code} with an
 * exhaustive switch, so a new code is a compile error where it is not handled.
 */
package io.flashsale.sale.lua;
