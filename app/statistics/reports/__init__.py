"""Enterprise quarterly and annual hazard statistics reports (统计分析表)."""
