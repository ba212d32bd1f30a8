-- Issue 28: template families shown as duplicate groups are: one row per family (a machine-written series: market
-- closes, results, weather lines, notices), with its first article's title, its members and how long it ran.
-- Siblings are distinct stories; a family's members may have copies of their own (duplicate_groups).
CREATE VIEW template_family_groups AS
SELECT f.family_id, any_value(o.title) AS title, count(*) AS members,
       count(DISTINCT t.site) AS outlets, list(DISTINCT t.site ORDER BY t.site) AS sites,
       min(t.happened_at) AS first_at, max(t.happened_at) AS last_at
FROM template_families f JOIN article_times t USING (article_id) JOIN articles o ON o.article_id = f.family_id
GROUP BY f.family_id;
