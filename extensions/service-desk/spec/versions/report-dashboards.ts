// Version report-dashboards (issue 12, decision 0056): the Insights dashboards over the report rollups
// (../reports/dashboards.ts) and who may read them. The app queries each panel with the viewer's token, so the
// rollups' read permissions (version reports) decide the figures, as they do for the report route.
import { dashboardPermissions, dashboards, panels } from '../reports/dashboards.js';
import type { VersionAuthor } from './types.js';

export const version: VersionAuthor = {
  name: 'report-dashboards',
  async author(send, log) {
    await send('POST', '/dashboards', dashboards);
    await send('POST', '/panels', panels);
    log(`${dashboards.length} dashboards, ${panels.length} panels`);
    await send('POST', '/permissions', dashboardPermissions);
    log(`${dashboardPermissions.length} read permissions`);
  },
};
