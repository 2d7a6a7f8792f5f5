--[[
claim_idempotency_key.lua: claim one buyer's Idempotency-Key for a purchase, or return the
answer already stored under it, counting the buyer's distinct keys for this sale.

Every key a buyer invents is stored for a day (the replayable answer), so without a count one
buyer could fill Redis with keys. A buyer may hold at most ARGV[3] distinct keys per sale; the
set of their keys lives as long as the newest key's answer. A key already counted (a retry, or a
claim dropped after a transient failure) is not counted again.

KEYS[1] idempotency  string: IN_PROGRESS while the first request runs, then its rendered answer
KEYS[2] buyerKeys    set: this buyer's Idempotency-Keys for this sale
ARGV[1] the Idempotency-Key itself (the set member)
ARGV[2] claim lease in ms (a process that dies mid-request blocks the key only this long)
ARGV[3] most distinct keys per buyer and sale
ARGV[4] how long answers are kept, in ms (the set lives as long)

Returns {code, detail}:
   1, ''        claimed: run the purchase, then store its answer under KEYS[1]
   2, stored    the key was claimed before: stored is IN_PROGRESS or the first answer
   0, ''        refused: the buyer already holds ARGV[3] other keys for this sale

Java side: io.flashsale.sale.lua.ClaimIdempotencyKeyScript (KEYS from SaleKeys.idempotencyClaimKeys()).
]]
local stored = redis.call('GET', KEYS[1])
if stored then
  return {2, stored}
end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then
  if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[3]) then
    return {0, ''}
  end
  redis.call('SADD', KEYS[2], ARGV[1])
end
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('SET', KEYS[1], 'IN_PROGRESS', 'PX', ARGV[2])
return {1, ''}
