DROP TABLE IF EXISTS map_layouts;
