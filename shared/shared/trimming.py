"""Trim a stream to what its consumer groups still need.

`XADD … MAXLEN ~ N` cannot tell a processed entry from one no group has read yet, so a
backlog longer than N would be cut without a trace. Here each stream is trimmed instead
below the oldest entry any group still needs: its oldest pending (delivered, not acked)
entry, or else the first entry after its last-delivered id. Redis 8.2 offers this as
`XTRIM … ACKED`; on Redis 7 a script does it, atomically, so a group created (or a
message delivered) meanwhile cannot slip under the cut. A stream is left alone until every
group the pipeline declares for it exists (shared.events.STREAM_GROUPS): a worker started
after the others creates its group from `0` and expects to find everything. Groups beyond
those (an analyst's own) are honoured like the rest.

Streams stay exactly as long as the backlog (exact trimming: at one pass every few seconds,
cutting into a partly filled node costs nothing worth saving), and Redis memory is
bounded by what is unfinished, not by a guess.
"""

import asyncio
import logging

from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared.events import STREAM_GROUPS

log = logging.getLogger(__name__)

TRIMMED = Counter("councilwatch_stream_trimmed_total", "Stream entries trimmed after every group acked them.",
                  ["stream"])

# ARGV: the groups that must exist. Returns {floor id, entries trimmed}, or false when the
# stream or one of those groups does not exist (yet).
_TRIM_ACKED = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
if #groups == 0 then return false end
local present = {}
for _, g in ipairs(groups) do
  for i = 1, #g, 2 do if g[i] == 'name' then present[g[i + 1]] = true end end
end
for _, name in ipairs(ARGV) do
  if not present[name] then return false end
end
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local floor_ms, floor_seq
for _, g in ipairs(groups) do
  local info = {}
  for i = 1, #g, 2 do info[g[i]] = g[i + 1] end
  local ms, seq
  if tonumber(info['pending']) > 0 then
    ms, seq = parse(redis.call('XPENDING', KEYS[1], info['name'])[2])
  else
    ms, seq = parse(info['last-delivered-id'])
    seq = seq + 1
  end
  if floor_ms == nil or ms < floor_ms or (ms == floor_ms and seq < floor_seq) then
    floor_ms, floor_seq = ms, seq
  end
end
local floor = string.format('%d-%d', floor_ms, floor_seq)
return {floor, redis.call('XTRIM', KEYS[1], 'MINID', floor)}
"""


async def trim_acked(redis: Redis, stream: str, required_groups: tuple[str, ...] = ()) -> int:
    """Trim `stream` below what every group has acknowledged; the number of entries removed.
    Nothing is trimmed unless each of `required_groups` exists."""
    result = await redis.eval(_TRIM_ACKED, 1, stream, *required_groups)
    if not result:
        return 0
    trimmed = int(result[1])
    if trimmed:
        TRIMMED.labels(stream).inc(trimmed)
    return trimmed


async def keep_trimmed(redis: Redis, streams: list[str], interval_s: float) -> None:
    """Trim each stream every `interval_s` for the life of the service."""
    while True:
        await asyncio.sleep(interval_s)
        for stream in streams:
            try:
                await trim_acked(redis, stream, STREAM_GROUPS.get(stream, ()))
            except RedisError:
                log.debug("could not trim %s; trying again later", stream, exc_info=True)
