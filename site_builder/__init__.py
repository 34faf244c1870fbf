"""site_builder: bulletins → articles → region/year archive → static site with Chinese search.

Stages, one module or package each: ingest → content → archive → render → search → serve;
``build.py`` runs them in order.
"""

__version__ = "0.1.0"
