import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { Authenticated, CurrentPrincipal, type Principal } from '@hearth/authz';
import { badInput } from '@hearth/errors';
import { InboxService } from './inbox.service.js';
import { NotificationModel } from './notification.model.js';

@Resolver(() => NotificationModel)
export class NotificationResolver {
  constructor(private readonly inbox: InboxService) {}

  @Authenticated()
  @Query(() => [NotificationModel], { description: 'Your inbox after a sequence number, oldest first' })
  async notifications(
    @CurrentPrincipal() principal: Principal,
    @Args('afterSeq', { type: () => Int, nullable: true }) afterSeq?: number | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
  ): Promise<NotificationModel[]> {
    const after = afterSeq ?? 0;
    const size = first ?? 50;
    if (after < 0) throw badInput('afterSeq', 'must not be negative');
    if (size < 1 || size > 500) throw badInput('first', 'must be from 1 to 500');
    const found: NotificationModel[] = [];
    let cursor = after;
    for (;;) {
      const page = await this.inbox.since(principal, cursor, size);
      found.push(...page.notifications.map((p) => this.inbox.toModel(p)));
      cursor = page.scannedThrough;
      if (found.length >= size || !page.more) return found.slice(0, size);
    }
  }
}
