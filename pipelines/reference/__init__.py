"""Reference data that both extraction and the warehouse read: the weapon table (`weapons.csv`, weapons.py) and
the gazetteer (`places.csv` with GeoNames and pycountry, gazetteer.py). Plain polars over package data: it
imports no stage, so extract/ and warehouse/ may both import it while neither imports the other.
"""
