import { defineEntity } from '../define';

export const member = defineEntity({ name: 'member', joinKey: 'member_id', description: 'A gym member (M…), as issued by the CRM.' });
export const product = defineEntity({ name: 'product', joinKey: 'sku', description: 'A retail product, by canonical SKU.' });
export const classType = defineEntity({ name: 'class_type', joinKey: 'class_type', description: 'A kind of class: spinning, yoga, zumba, hiit, boxing, peloton.' });

export const ENTITIES = [member, product, classType];
