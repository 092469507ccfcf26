-- Run by `mxcp serve` at every start-up (not with --readonly), so it must be safe to run again:
-- it creates the table from the committed CSV only when the table does not exist yet.
-- Relative paths resolve against the project folder.
CREATE TABLE IF NOT EXISTS employees AS
SELECT * FROM read_csv('data/employees.csv', header = true, columns = {
  'id': 'INTEGER',
  'name': 'VARCHAR',
  'department': 'VARCHAR',
  'title': 'VARCHAR',
  'github_login': 'VARCHAR',
  'email': 'VARCHAR',
  'hired_on': 'DATE'
});
