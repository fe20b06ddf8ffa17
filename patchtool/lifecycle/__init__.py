"""Operations on a stored series over its life after v1.

The snapshot commands (check, diffstat, cover, export, lint) read a series;
the modules here change it or compare its versions: ``rebase`` (and its
``forecast``), ``reroll``, ``update`` (with ``matching``, git range-diff's
pairing of old and new patches), ``trailers`` (review tags from replies),
``base`` (set or guess the base), ``status`` (who still has to ack) and
``rangediff``.  Each reads the folder through ``seriesdir`` and writes it
back through ``seriesdir.write_series`` only.  They sit above the applier
and the outputs in the data flow and below the CLI, which is the only layer
that prints.
"""
