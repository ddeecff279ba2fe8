-- The gazetteer: each postcode district's centre, from which placement distances are worked out.
CREATE TABLE postcode_district_centres (
    district TEXT PRIMARY KEY,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL
) STRICT;
