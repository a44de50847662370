"""Find what a scan reads: files under a folder or share, and tables in a database.

Import the module you need (`folder` or `database`): `database` loads SQLAlchemy, which a folder
scan never needs.
"""
