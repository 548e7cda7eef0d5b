"""Reports and exports for coordinators: what was held and who was reached in a period
(unique people, new and returning, disaggregated as donors ask), and the attendance marks
and report tables as CSV and XLSX. Read-only over the other domains, except the audit entry
every export writes."""
