SELECT department, count(*) AS employees, min(hired_on) AS first_hire
FROM employees
WHERE hired_on >= CAST($since AS DATE)
GROUP BY department
ORDER BY employees DESC, department
