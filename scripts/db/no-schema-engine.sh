#!/bin/sh
echo "The Prisma CLI's native schema engine is not available offline." >&2
echo "Use: npm run db:migration:create -- <name>, npm run db:diff, lienthong db migrate (docs/database.md)." >&2
exit 1
