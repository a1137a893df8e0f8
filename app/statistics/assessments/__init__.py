"""Annual assessments (年度考核): weighted indicators as data, ranking, immutable snapshot."""
