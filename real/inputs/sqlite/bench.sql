-- real/sqlite input — build, index, update and query a table with SQLite's
-- own shell, for heapbench.
--
-- The database is in memory (:memory:), so every page, the page cache, the
-- parser's and the planner's objects and each row's text go through the C
-- library's malloc (SQLite's default memory methods): under LD_PRELOAD, the
-- allocator under test. The row count comes from the one-row table
-- hb_params(rows), which workloads/real/sqlite.c creates with -cmd before
-- this script runs; the printed lines are checked against values computed
-- independently in C.

CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER NOT NULL, s TEXT NOT NULL);

-- Generate the rows with a recursive common table expression.
INSERT INTO t(id, k, s)
  WITH RECURSIVE c(i) AS (
    SELECT 1 UNION ALL SELECT i + 1 FROM c, hb_params WHERE i < hb_params.rows)
  SELECT i, (i * 7919) % 100003, printf('%x-%d', (i * 2654435761) % 4294967296, i % 1000)
  FROM c;

CREATE INDEX t_k ON t(k);
CREATE INDEX t_s ON t(s);

-- An aggregate into a new table, then updates that grow rows and deletes.
CREATE TABLE g AS SELECT k % 1000 AS b, count(*) AS n, sum(id) AS sid FROM t GROUP BY b;
UPDATE t SET s = s || 'x' WHERE k % 3 = 0;
DELETE FROM t WHERE k % 7 = 0;

-- The checked results: totals, an index join, an index range scan.
SELECT count(*), sum(k), sum(length(s)), (SELECT sum(n * b + sid) FROM g) FROM t;
SELECT count(*) FROM t AS a JOIN t AS b ON b.k = a.k + 1 WHERE a.id % 16 = 0;
SELECT count(*), sum(length(s)) FROM t WHERE s BETWEEN '8' AND '9';
