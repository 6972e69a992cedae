"""The archive-scale benchmark (`make bench`, `python -m pipelines.bench`): synthetic articles, `salvo extract`
throughput, the full pipeline per size with each stage's time and peak RSS, the per-article baselines, and an
extraction profile. See bench.py; results go to bench/results/."""
