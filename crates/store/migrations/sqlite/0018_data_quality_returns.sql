-- Live data quality covers the SSDA903 as well as the CIN census: each finding names its return.
ALTER TABLE data_quality ADD COLUMN statutory_return TEXT NOT NULL DEFAULT 'CIN';
