import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { httpStatusOf, isSlipwayError } from '../shared/errors.js';
import type { Logger } from '../shared/logging.js';

/** The one mapping from errors to HTTP: `{"error":{"code","message","details"}}` with the matching status. */
export function errorHandler(logger: Logger) {
  return (error: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) => {
    if (isSlipwayError(error)) {
      return reply.status(httpStatusOf(error.code)).send({
        error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
      });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = (error as { validationContext?: string }).validationContext ?? 'request';
      const issues = error.validation.map((v) => {
        const path = [where, ...v.instancePath.split('/').filter(Boolean)].join('.');
        return { path, message: v.message ?? 'invalid' };
      });
      return reply.status(400).send({
        error: {
          code: 'invalid_input',
          message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
          details: { issues },
        },
      });
    }
    if (isResponseSerializationError(error)) {
      logger.error({ err: error, url: req.url }, 'response did not match its schema');
      return reply.status(500).send({
        error: { code: 'internal', message: 'the coordinator produced an invalid response (a bug; see its log)' },
      });
    }
    const status = (error as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      const code =
        status === 404
          ? 'not_found'
          : status === 401
            ? 'unauthorized'
            : status === 415
              ? 'invalid_input'
              : 'invalid_input';
      return reply.status(status).send({ error: { code, message: error.message } });
    }
    logger.error({ err: error, url: req.url }, 'unhandled error');
    return reply
      .status(500)
      .send({ error: { code: 'internal', message: 'internal error (a bug; see the coordinator log)' } });
  };
}
