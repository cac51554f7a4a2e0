-- The subsidies due behind each figure, per period, class and trainees' county
-- (int_subsidy_by_class, computed incrementally by period).
select * from {{ ref('int_subsidy_by_class') }}
