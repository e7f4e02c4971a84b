/**
 * The request headers the tenant's target requires (a persona's requiredHeaders, e.g. GitHub's User-Agent), checked
 * once per SCIM request before authentication, fault rules and rate limits: a target that refuses a request at its
 * edge answers before it looks at the token or counts the request. Only SCIM requests reach this layer (the control
 * API and the OAuth token endpoint are served elsewhere); the dashboard's own requests are not a connector's and pass.
 */
import type { RequestHandler, Response } from 'express';
import { fromDashboard } from '../request-context.js';
import { checkRequiredHeaders, type TargetCapabilities } from '../scim/capabilities.js';

export function requiredHeadersMiddleware(capabilitiesOf: (res: Response) => TargetCapabilities | undefined): RequestHandler {
  return (req, res, next) => {
    const caps = capabilitiesOf(res);
    if (!caps?.requiredHeaders?.length || fromDashboard(req.headers)) return next();
    checkRequiredHeaders(caps, req.headers);
    next();
  };
}
