-- Issue 28: containment by passages. article_paragraphs now holds a fingerprint per sentence of 8+ words (its head:
-- the first 8 words, tasks/dedup.py read_facts) instead of one per paragraph: a teaser whose last sentence is cut,
-- or a copy that runs two paragraphs together, is still found in its story. Rows written before hold paragraph
-- hashes (position NULL); they still match one-sentence paragraphs, and a re-run or `newsflow reprocess` rewrites them.

-- The passage's rank among its article's passages: a part shorter than three passages must be a run of the whole,
-- in order (a lead and a quote that a different story on the same event shares are not).
ALTER TABLE article_paragraphs ADD COLUMN position INTEGER;
