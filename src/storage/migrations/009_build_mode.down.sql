DROP TABLE IF EXISTS service_dependencies;
DROP TABLE IF EXISTS zone_policies;
DROP TABLE IF EXISTS device_zones;
DROP TABLE IF EXISTS zones;
-- Curated links go with build mode; links discovery also reports stay, as discovered links.
DELETE FROM links WHERE protocols = ARRAY['manual']::text[];
UPDATE links SET protocols = array_remove(protocols, 'manual'), source = (array_remove(protocols, 'manual'))[1]
 WHERE 'manual' = ANY(protocols);
ALTER TABLE links DROP COLUMN IF EXISTS notes;
ALTER TABLE links DROP COLUMN IF EXISTS label;
