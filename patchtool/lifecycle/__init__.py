"""Operations on a stored series over its life after v1.

The snapshot commands (check, diffstat, cover, export, lint) read a series;
the modules here change it or compare its versions: ``rebase`` (and its
``forecast``), ``reroll``, ``rangediff``; each reads the folder through
``seriesdir`` and writes it back through ``seriesdir.write_series`` only.
They sit above the applier and the outputs in the data flow and below the
CLI, which is the only layer that prints.
"""
