-- real/lua input — an allocation-heavy Lua 5.4 program for heapbench.
--
-- Lua allocates every table, string and closure through one function, the
-- l_alloc of lauxlib, which is realloc/free from the C library: under
-- LD_PRELOAD every object goes to the allocator under test. Four phases:
-- binary trees of tables (the benchmarks game's binary-trees), closures
-- that capture counters, string building with table.concat and gsub, and
-- a hash table of string keys that grows and shrinks.
--
-- Usage: lua5.4 alloc.lua DEPTH N. Prints one line per phase; the expected
-- lines are computed independently in C by workloads/real/lua.c.

local depth, n = tonumber(arg[1]), tonumber(arg[2])

local function make(d)
  if d == 0 then return {} end
  return {make(d - 1), make(d - 1)}
end

local function check(t)
  if t[1] == nil then return 1 end
  return 1 + check(t[1]) + check(t[2])
end

local function trees()
  local long = make(depth)            -- lives through the phase
  local total = 0
  for d = 4, depth, 2 do
    for _ = 1, 2 ^ (depth - d + 2) do
      total = total + check(make(d))
    end
  end
  return string.format("trees %d %d", total, check(long))
end

local function closures()
  local fs = {}
  for i = 1, n do
    local count = i % 10
    fs[i] = function(k) count = count + k; return count end
  end
  local total = 0
  for round = 1, 3 do
    for i = 1, n do total = total + fs[i](round) end
  end
  return string.format("closures %d", total)
end

local function strings()
  local parts = {}
  for i = 1, n do parts[i] = tostring(i * 7) end
  local s = table.concat(parts, ";")
  local replaced, count = s:gsub("7", "seven")
  local fields = 0
  for _ in replaced:gmatch("[^;]+") do fields = fields + 1 end
  return string.format("strings %d %d %d %d", #s, count, #replaced, fields)
end

local function hashes()
  local t, live = {}, 0
  for i = 1, n do
    t["k" .. i] = {i, "v" .. (i % 100)}
    live = live + 1
    if i % 4 == 0 then
      t["k" .. (i // 2)] = nil          -- drop an older key (if still there)
    end
  end
  local keys, sum = 0, 0
  for _, v in pairs(t) do keys = keys + 1; sum = sum + v[1] + #v[2] end
  return string.format("hashes %d %d", keys, sum)
end

print(trees())
print(closures())
print(strings())
print(hashes())
