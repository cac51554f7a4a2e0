-- Every row read from a current file version is loaded once or rejected once, and the
-- ingestion log says so (the problems, period by period, are int_unaccounted_rows).
select * from {{ ref('int_unaccounted_rows') }}
