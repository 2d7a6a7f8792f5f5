--[[
join_waitlist.lua: a buyer of a sale with buckets > 1 found every bucket empty and asked to wait:
join the hub's waitlist (bucket 0's shard). One-bucket sales join inside purchase.lua.

KEYS[1] waitlist  sorted set: userId scored by join time (Redis clock, microseconds)
KEYS[2] promoted  hash: userId -> orderId given from the waitlist
KEYS[3] meta      hash: dropAtS (the waitlist expires with the sale)
(No pub/sub message, as in purchase.lua: a newcomer at the end moves nobody's place.)
ARGV[1] userId
ARGV[2] waitlist capacity

Returns {code, position, waitlistLength} (codes as purchase.lua's for the same outcomes):
  -6, position, waitlistLength   the buyer is on the waitlist (1-based; joining twice keeps the first place)
  -7, '', ''                     the waitlist is full

Java side: io.flashsale.sale.lua.JoinWaitlistScript (KEYS from SaleKeys.waitlistJoinKeys()).
]]
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
    return {-7, '', ''}
  end
  local t = redis.call('TIME')
  redis.call('ZADD', KEYS[1], 'NX', tonumber(t[1]) * 1000000 + tonumber(t[2]), ARGV[1])
  local dropAt = redis.call('HGET', KEYS[3], 'dropAtS')
  if dropAt and redis.call('TTL', KEYS[1]) == -1 then
    redis.call('EXPIREAT', KEYS[1], dropAt)
  end
  -- joining anew: an earlier promotion (whose order has since ended) is history, not status
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return {-6, tostring(redis.call('ZRANK', KEYS[1], ARGV[1]) + 1), tostring(redis.call('ZCARD', KEYS[1]))}
