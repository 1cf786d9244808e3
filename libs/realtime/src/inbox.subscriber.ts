import type { EntitySubscriberInterface, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import type { InboxService } from './inbox.service.js';

/** Tells the inbox when a transaction that wrote notifications ends, so pushes follow commits only. */
export class InboxTransactionSubscriber implements EntitySubscriberInterface {
  constructor(private readonly inbox: InboxService) {}

  afterTransactionCommit(event: TransactionCommitEvent): void {
    this.inbox.settle(event.queryRunner, true);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.inbox.settle(event.queryRunner, false);
  }
}
