odoo.define('crm_opportunity_suite.kanban_columns', function (require) {
"use strict";

var KanbanModel = require('web.KanbanModel');
var KanbanView = require('web.KanbanView');
var rpc = require('web.rpc');
var viewRegistry = require('web.view_registry');

/**
 * The pipeline's columns read in one request. Odoo's kanban reads the cards of each open
 * column with a request of its own (/web/dataset/search_read: the cards, then the column's
 * count), and each request reads again what the cards share (the salesperson's and the
 * company's names, the currencies, the record rules). The column reads a load starts
 * together (in the same turn of the event loop) go to crm.lead's search_read_columns, which
 * answers each one as /web/dataset/search_read does, with the user's rights.
 */
var PipelineKanbanModel = KanbanModel.extend({
    _rpc: function (params) {
        if (params.route !== '/web/dataset/search_read' || params.model !== 'crm.lead') {
            return this._super.apply(this, arguments);
        }
        var def = $.Deferred();
        if (!this.cosPendingColumns) {
            this.cosPendingColumns = [];
            setTimeout(this._cosReadColumns.bind(this), 0);
        }
        this.cosPendingColumns.push({params: params, def: def});
        return def.promise();
    },
    /**
     * Send the pending column reads, one request per set of fields, order and context.
     *
     * @private
     */
    _cosReadColumns: function () {
        var self = this;
        var pending = this.cosPendingColumns;
        this.cosPendingColumns = null;
        var batches = {};
        _.each(pending, function (item) {
            var p = item.params;
            var key = JSON.stringify([p.fields, p.orderBy, p.context]);
            (batches[key] = batches[key] || []).push(item);
        });
        _.each(batches, function (items) {
            var first = items[0].params;
            var columns = _.map(items, function (item) {
                return {
                    domain: item.params.domain || [],
                    offset: item.params.offset || 0,
                    limit: item.params.limit || false,
                };
            });
            self._rpc({
                model: 'crm.lead',
                method: 'search_read_columns',
                args: [columns, first.fields],
                kwargs: {order: first.orderBy ? rpc._serializeSort(first.orderBy) : false},
                context: first.context || {},
            }).then(function (answers) {
                _.each(items, function (item, index) {
                    item.def.resolve(answers[index]);
                });
            }, function () {
                var failure = arguments;
                _.each(items, function (item) {
                    item.def.reject.apply(item.def, failure);
                });
            });
        });
    },
});

var PipelineKanbanView = KanbanView.extend({
    config: _.extend({}, KanbanView.prototype.config, {
        Model: PipelineKanbanModel,
    }),
});

viewRegistry.add('crm_opportunity_suite_pipeline', PipelineKanbanView);

return {
    PipelineKanbanModel: PipelineKanbanModel,
    PipelineKanbanView: PipelineKanbanView,
};

});
