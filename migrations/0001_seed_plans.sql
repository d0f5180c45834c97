-- Seeded plans. Later changes to a plan go in a new migration; this one is never edited once applied.
INSERT INTO "plans" ("id", "name", "price", "currency", "resource_limits", "allows_dedicated_nodes", "max_projects", "max_members", "sort_order") VALUES
  ('free', 'Free', 0, 'usd',
   '{"quota":{"requests.cpu":"2","requests.memory":"4Gi","limits.cpu":"4","limits.memory":"8Gi","pods":"20","persistentvolumeclaims":"5","requests.storage":"10Gi","services.loadbalancers":"0"},"limitRange":{"defaultRequest":{"cpu":"100m","memory":"128Mi"},"default":{"cpu":"500m","memory":"512Mi"},"max":{"cpu":"2","memory":"4Gi"}}}'::jsonb,
   false, 3, 3, 0),
  ('standard', 'Standard', 4900, 'usd',
   '{"quota":{"requests.cpu":"8","requests.memory":"16Gi","limits.cpu":"16","limits.memory":"32Gi","pods":"100","persistentvolumeclaims":"20","requests.storage":"100Gi","services.loadbalancers":"2"},"limitRange":{"defaultRequest":{"cpu":"100m","memory":"128Mi"},"default":{"cpu":"1","memory":"1Gi"},"max":{"cpu":"4","memory":"8Gi"}}}'::jsonb,
   false, 20, 25, 1),
  ('premium-dedicated', 'Premium (dedicated nodes)', 49900, 'usd',
   '{"quota":{"requests.cpu":"32","requests.memory":"128Gi","limits.cpu":"64","limits.memory":"256Gi","pods":"500","persistentvolumeclaims":"100","requests.storage":"1Ti","services.loadbalancers":"10"},"limitRange":{"defaultRequest":{"cpu":"250m","memory":"256Mi"},"default":{"cpu":"2","memory":"2Gi"},"max":{"cpu":"16","memory":"64Gi"}}}'::jsonb,
   true, 200, 500, 2)
ON CONFLICT ("id") DO NOTHING;
