import type { FastifyPluginAsync } from 'fastify';
import type { ActionDownloads } from '../../domain/actions/action-downloads.js';

export interface DownloadRouteOptions {
  readonly downloads: ActionDownloads;
}

/**
 * `GET /downloads/{token}`: what getPackageUri and GetLiveResponseResultDownloadLink link to.
 * Like the real service's storage links it takes no token: the signed link is the permission.
 */
export const downloadRoutes: FastifyPluginAsync<DownloadRouteOptions> = async (app, { downloads }) => {
  app.get<{ Params: { token: string } }>('/downloads/:token', { schema: { hide: true } }, async (request, reply) => {
    const download = await downloads.open(request.params.token);
    return reply
      .type(download.contentType)
      .header('content-disposition', `attachment; filename="${download.fileName.replace(/["\\\r\n]/g, '_')}"`)
      .header('cache-control', 'no-store')
      .send(download.body);
  });
};
