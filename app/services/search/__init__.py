"""Search: the query parser, the ranked lookup, the station-local key index, pinyin keys."""
